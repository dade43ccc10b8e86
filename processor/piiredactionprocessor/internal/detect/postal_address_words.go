package detect

// Curated street vocabulary of postal_address, folded into the lexicon next
// to the vendored street types (lexicon.go, lexicon/street.txt).

// strongStreetTypes are street types that, after a house number and a
// capitalised name, make an address on their own ("221B Baker Street",
// "1600 Pennsylvania Ave NW"); the weaker vendored types ("Drive", "Park",
// "Point") need a postcode, a city or an address cue as well.
const strongStreetTypes = `street st str avenue ave av boulevard blvd road rd lane ln highway hwy parkway
pkwy terrace ter terr crescent cres court ct drive dr place pl square sq close circle cir way trail trl
expressway expy freeway fwy turnpike tpke alley aly row mews grove garden gardens gdns walk wynd`

// streetFirstTypes are street types written before the street's name, the
// house number after it ("Calle Mayor 12", "Via Roma 10", "ul. Marszałkowska
// 10", "rue de Rivoli 12" or "12 rue de Rivoli").
const streetFirstTypes = `rue avenue av boulevard bd bld place pl chemin ch allee impasse quai cours
route rte square passage sentier voie
calle c avenida avda paseo plaza carrera camino ronda travesia glorieta rambla
rua travessa largo praca praceta alameda estrada
via viale piazza piazzale corso largo vicolo strada contrada borgo lungomare
ulica ul aleja al plac osiedle os
ulice namesti trida
utca ut ter korut
strada bulevardul soseaua calea aleea piata
улица ул проспект пр просп переулок пер бульвар б-р шоссе площадь пл набережная наб`

// majorCities complete the vendored city lists (European locales only) with
// the large cities of the countries whose postcodes the detector reads.
const majorCities = `amsterdam rotterdam utrecht eindhoven groningen tilburg almere breda nijmegen
leiden haarlem arnhem delft maastricht antwerpen antwerp gent ghent brussel brussels bruxelles
luxembourg london manchester birmingham liverpool leeds glasgow edinburgh bristol cardiff belfast
dublin cork wien vienna graz linz salzburg innsbruck zurich zürich genf geneve bern basel lausanne
lisboa lisbon porto madrid barcelona valencia sevilla bilbao malaga roma rome milano milan napoli
torino firenze bologna venezia paris lyon marseille toulouse nice nantes strasbourg bordeaux lille
berlin hamburg munchen münchen munich koln köln frankfurt stuttgart dusseldorf düsseldorf leipzig
dresden hannover nurnberg nürnberg bremen essen dortmund warszawa warsaw krakow kraków lodz łódź
wroclaw wrocław poznan poznań gdansk gdańsk praha prague brno budapest bucuresti bucharest sofia
athens athina stockholm goteborg göteborg malmo malmö oslo bergen kobenhavn københavn copenhagen
aarhus helsinki espoo tampere reykjavik moscow moskva toronto montreal montréal vancouver ottawa
calgary edmonton winnipeg quebec halifax tokyo osaka kyoto yokohama`
