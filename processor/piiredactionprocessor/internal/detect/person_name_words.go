package detect

// Curated word lists of person_name, folded into the lexicon next to the
// vendored name lists (lexicon.go). They carry what a name list cannot:
// which names are also everyday words, products or not people at all.

// commonNameWords are given names or surnames that are also everyday words,
// so a capitalised pair of them is no evidence of a person without a cue
// ("Will Retry", "Grant Access", "Mark Read", "Rose Gold").
const commonNameWords = `will may june april august mark grant bill art joy hope faith grace chase dawn rose
jack max summer sky golden bob pat drew sandy forest lance ray rod chance clay hunter miles frank guy earl
king prince major young white black green brown gray grey little hall wood stone hill price best wolf buck
lion server job post star sun moon love page power rich sharp strong long short early bright river cliff
dale glen lane brook ford field park banks bell berry baby angel honey penny cash sterling royal rusty
sunny misty crystal amber ivy holly iris lily daisy violet olive pearl jade heather autumn winter spring
storm rain snow frost ocean sage basil ginger pepper cherry apple peach lemon orange colt duke dean judge
marshal bishop knight baron noble lord master gay gene norm nick rob skip ward wade reed cole rock rocky
stormy blaze blue red gold silver iron steel fox bird crow swan lamb bull bear hart cook porter chance
dusty happy lucky sonny champ ace kid boy girl man son day night early late north south east west
ernst klein gross lange kurz schon gut neu alt kaiser konig vogel fuchs bar hahn weiss schwarz braun roth
grun sommer herbst mai blanc blanche noir petit grand bon roux rosa blanco negro sol luz paz mar leon
pastor santos cruz bianco nero piccolo bello groot jong bakker visser smit
can do go is it us or on in at an as be by to of and the for not all any new old one two set get put
error warning info debug trace fatal panic
santa santo san saint sankt sao sainte fort port mount lake`

// productNames are names that are also products, projects or brands; they
// are a person only with a title or next to a surname ("Dr. Jenkins",
// "customer Alexa Smith"), never alone after a weak cue.
const productNames = `jenkins alexa django siri cortana watson kafka grafana jupyter hudson heroku jira
confluence bamboo apollo athena aurora luna travis ruby rails julia crystal ada pascal lua hugo argo
cassandra victoria mercedes mercedes-benz porsche ferrari lamborghini tesla dell siemens bosch miele
philips jaeger loki tempo mimir thanos cortex zipkin envoy istio harbor helm kong consul vault nomad
terraform ansible puppet chef salt sentry datadog splunk elastic kibana logstash fluentd vector nginx
apache tomcat jetty caddy traefik redis mongo oracle hadoop spark flink hive presto trino druid pinot
clickhouse postgres mysql sqlite swift python scala kotlin java rust dart elixir erlang haskell perl php
deno bun vue react angular svelte ember nuxt gatsby jekyll remix astro vite webpack babel jest mocha
jasmine cypress selenium playwright puppeteer postman swagger gradle maven docker podman kubernetes
rancher openshift mesos marathon zookeeper prometheus nagios zabbix icinga sensu kindle pixel galaxy
iphone ipad vista alfred dexter oscar wordpress drupal joomla magento shopify stripe klarna adyen
twilio sendgrid mailchimp zendesk intercom hubspot salesforce jenkinsfile tableau looker quarkus
micronaut spring hibernate lombok jackson guava netty vertx akka camel karaf felix tika lucene solr
ivy ant maven celery flask bottle tornado pyramid sinatra phoenix laravel symfony cake yii`

// notNameWords are capitalised words that follow cues but are not people
// ("Dear Customer", "user Admin", "contact Support"): a name ends before
// them.
const notNameWords = `team support admin administrator service services server system user users
customer customers client clients account accounts manager managers group department inc ltd llc gmbh
ag sa sas srl bv nv corp co company labs cloud app bot api sdk guest anonymous unknown default root
owner everyone all sir madam colleague colleagues friend friends partner partners member members
subscriber valued hello world welt monde mundo mondo wereld there here staff desk helpdesk operations ops devops security billing
sales marketing legal finance engineering foo bar baz example sample demo null none nil undefined true
false yes no ok new old primary secondary main master replica leader follower node pod cluster region
zone instance host device desktop mobile web android ios windows linux mac macos chrome firefox safari
edge google microsoft amazon apple meta facebook twitter github gitlab slack zoom teams outlook gmail
office excel word powerpoint street road avenue monday tuesday wednesday thursday friday saturday sunday
january february march july september october november december id uuid status error warning info
debug the a this that these our your my his her their its of and or for with from to in on at by
kunde kunden nutzer benutzer herr frau damen herren sehr geehrte geehrter liebe lieber dienst
mitarbeiter abteilung firma cliente clientes usuario utilisateur madame monsieur mesdames messieurs
klant klanten gebruiker heer mevrouw signore signora gentile utente senor senora estimado estimada
name names mr mrs ms dr prof robot`

// productNextWords make the capitalised name before them a product or a
// place ("Jenkins build", "Alexa skill", "Victoria Metrics", "Abbey Road").
const productNextWords = `build builds job jobs pipeline pipelines server servers skill skills plugin
plugins metrics cluster clusters app apps api sdk cli agent node nodes instance instances version
release image images container worker workers bot bots service services db database library framework
integration connector exporter receiver processor operator controller dashboard dashboards query
queries index stack platform engine runtime module package project repo repository config deployment
console studio store devices echo speaker assistant benz rails mail pay play music prime docs sheets
maps analytics compute functions lambda storage wallet cli sdk plugin driver drivers adapter client
proxy gateway cache queue topic broker consumer producer pod pods chart charts operator cron daemon
street st road rd avenue ave boulevard blvd lane ln drive way place square journal times post herald
gazette tribune news magazine airlines airways air bank motors group holdings foundation university
college school hospital clinic hotel restaurant cafe bar park museum theatre theater stadium arena
station airport center centre mall records studios album albums tour single sessions pictures entertainment games software systems
technologies labs networks solutions consulting capital partners ventures edition editions series
collection version pro plus mini ultra institute institut university universitat universite college
academy society association club fund trust hills heights valley beach bay harbor harbour lake springs
falls island islands county memorial church kirche cathedral bridge tower
sku skus jacket jackets jeans perfume perfumes fragrance fragrances cologne eau sneakers handbag handbags
sunglasses eyewear menswear womenswear apparel underwear swimwear footwear outerwear knitwear`

// brandNames are brands named after a person, as given name and surname
// pairs (comma-separated). With a product or shop word next to them
// (brandContextWords: "Ralph Lauren SKU 1234", "Tommy Hilfiger jacket",
// "Calvin Klein size M", "brand: Hugo Boss") they are the brand, not a
// person; alone, or after a title, they stay a name.
const brandNames = `ralph lauren, tommy hilfiger, calvin klein, hugo boss, michael kors, marc jacobs, tom ford,
vera wang, kate spade, tory burch, giorgio armani, paul smith, ted baker, karl lagerfeld, christian dior,
coco chanel, stella mccartney, vivienne westwood, alexander mcqueen, jimmy choo, christian louboutin,
estee lauder, john deere, john lewis, jack wolfskin, kenneth cole, anne klein, perry ellis, pierre cardin,
yves rocher, roberto cavalli, salvatore ferragamo, steve madden, sam edelman, fred perry, ben sherman,
karen millen, rebecca minkoff, victoria beckham, levi strauss, martha stewart, betty crocker, paul mitchell,
mary kay, donna karan, oscar renta, carolina herrera, diane furstenberg, john varvatos, tommy bahama,
james perse, jil sander, emilio pucci, elie saab, max mara, isabel marant, vera bradley, lilly pulitzer,
kendall jenner, kylie jenner, kim kardashian, jack daniels, jim beam, johnnie walker, john frieda,
charlotte tilbury, bobbi brown, laura mercier, laura ashley, jenny packham`

// brandContextWords are the product and shop words that, next to a brand
// of brandNames, make it the brand.
const brandContextWords = `sku skus size sizes jacket jackets shirt shirts polo polos dress dresses shoes
shoe sneakers boots coat coats sweater sweaters hoodie hoodies jeans pants trousers skirt bag bags handbag
handbags perfume fragrance cologne watch watches sunglasses glasses belt belts wallet scarf tie socks
underwear swimwear store stores shop shops outlet outlets boutique boutiques brand brands collection
collections order ordered item items product products sale sales discount price prices qty quantity
stock catalog catalogue model line edition range retail retailer mens womens kids men women
color colour style fit article artikel marke grosse grose taille talla taglia maat produkt tractor
tractors mower whisky whiskey lipstick mascara makeup cosmetics parfum vendor label`

// nameParticles are the lower-case words inside names ("Ludwig van
// Beethoven", "Juan de la Cruz", "Leonardo da Vinci").
const nameParticles = `van von de der den da di del della dello dos das do du le la ter ten zu af al el
bin ibn y e ni nic`

// extraSurnames and extraGivenNames complete the vendored lists (whose
// East and South Asian locales are written in their own scripts) with the
// most frequent romanised names of those countries and the placeholder
// names forms use ("John Doe", "Max Mustermann").
const extraSurnames = `doe roe mustermann musterfrau hernandez ramirez sanz calvo gallego diez pascual
herrero gimenez ibanez saez soler yamamoto tanaka suzuki watanabe sato ito nakamura kobayashi kato
yoshida yamada sasaki matsumoto inoue kimura hayashi shimizu chen wang li zhang liu yang huang zhao
zhou xu sun zhu guo lin gao luo zheng liang xie tang park choi jung kang cho yoon jang lim han shin
kumar sharma singh gupta verma reddy iyer nair rao das mehta joshi desai agarwal bose chatterjee
mukherjee banerjee smirnov ivanov kuznetsov popov sokolov lebedev kozlov novikov morozov volkov
nguyen tran pham hoang phan dang bui ngo duong`

const extraGivenNames = `hiroshi takashi yuki haruto yui sakura kenji akira satoshi naoki takumi sota
yuto riku hina aoi mei wei jing hui xin ying jun hao yan ming xiaoming jiawei ji-woo min-jun seo-yeon
ji-ho ha-eun priya rahul arjun ananya aditya vikram deepak sunita anil sanjay pooja neha rohan`
