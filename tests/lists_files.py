"""Small list files in the published layouts (sanctions/FORMATS.md, eu/FORMAT.md, the UFLPA
Entity List page), written by the tests. Names are those of real public listings."""

from __future__ import annotations

UFLPA_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>UFLPA Entity List</title></head>
<body><main>
<h2>Entities that mine, produce, or manufacture wholly or in part any goods, wares, articles and
merchandise in the Xinjiang Uyghur Autonomous Region with forced labor</h2>
<table><thead><tr><th>Name of Entity</th><th>Effective Date</th></tr></thead><tbody>
<tr><td>Hoshine Silicon Industry (Shanshan) Co., Ltd., including subsidiaries</td><td>6/21/2022</td></tr>
<tr><td>Xinjiang Daqo New Energy, Co. Ltd. (also known as Xinjiang Daqo New Energy Co., Ltd.; Daqo New Energy)</td><td>6/21/2022</td></tr>
<tr><td>Xinjiang Production and Construction Corps (XPCC) and its subordinate and affiliated entities</td><td>6/21/2022</td></tr>
</tbody></table>
<h2>Entities working with the government of the Xinjiang Uyghur Autonomous Region to recruit,
transport, transfer, harbor or receive forced labor</h2>
<table><thead><tr><th>Entity Name</th><th>Effective Date</th></tr></thead><tbody>
<tr><td>Chenguang Biotech Group Co., Ltd. and its eight Chinese subsidiaries, which include
Chenguang Biotech Group (Yanqi) Co., Ltd.; Chenguang Natural Extracts (Kashgar) Co., Ltd.; and
Chenguang Biotech Group (Karamay) Co., Ltd.</td><td>12/5/2023</td></tr>
</tbody></table>
</main></body></html>
"""

UK_CSV = (
    "Report Date: 28-Jan-2026,,,,,,,,,,,,,,,\n"
    "Designation Type,Unique ID,Name 1,Name 2,Name 3,Name 4,Name 5,Name 6,Name type,"
    "Name non-latin script,Regime Name,Date Designated,D.O.B,Gender,Town of birth,Nationality(/ies)\n"
    "Individual,CHN0001,Hailun,,,,,ZHU,Primary Name,朱海仑,"
    "The Global Human Rights Sanctions Regulations 2020,22/03/2021,dd/mm/1958,Male,"
    '"Lianshui, Jiangsu",China\n'
    "Individual,CHN0001,Hai Lun,,,,,ZHU,Alias,,"
    "The Global Human Rights Sanctions Regulations 2020,22/03/2021,dd/mm/1958,Male,,China\n"
    "Entity,CHN0005,,,,,,Xinjiang Production and Construction Corps Public Security Bureau,"
    "Primary Name,新疆生产建设兵团公安局,The Global Human Rights Sanctions Regulations 2020,"
    "22/03/2021,,,,\n"
    "Ship,SHP0001,,,,,,SOME VESSEL,Primary Name,,Russia,01/01/2023,,,,\n"
)

UK_XML = """<?xml version="1.0" encoding="utf-8"?>
<Designations>
 <Designation>
  <UniqueID>CHN0002</UniqueID><IndividualEntityShip>Individual</IndividualEntityShip>
  <Names><Name><Name1>Junzheng</Name1><Name6>WANG</Name6><NameType>Primary Name</NameType></Name></Names>
  <NonLatinNames><NonLatinName><NameNonLatinScript>王君正</NameNonLatinScript></NonLatinName></NonLatinNames>
  <RegimeName>The Global Human Rights Sanctions Regulations 2020</RegimeName>
  <DateDesignated>22/03/2021</DateDesignated>
  <IndividualDetails><Individual><DOBs><DOB>dd/05/1963</DOB></DOBs>
   <Nationalities><Nationality>China</Nationality></Nationalities></Individual></IndividualDetails>
 </Designation>
</Designations>
"""

UN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2024-05-01T00:00:00">
 <INDIVIDUALS>
  <INDIVIDUAL><DATAID>110001</DATAID><FIRST_NAME>ABDUL</FIRST_NAME><SECOND_NAME>HAQ</SECOND_NAME>
   <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.268</REFERENCE_NUMBER>
   <LISTED_ON>2009-04-20</LISTED_ON><NAME_ORIGINAL_SCRIPT>阿不都·哈克</NAME_ORIGINAL_SCRIPT>
   <GENDER>Male</GENDER><NATIONALITY><VALUE>China</VALUE></NATIONALITY>
   <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Memetiming Memeti</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1971</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_PLACE_OF_BIRTH><CITY>Hotan</CITY><COUNTRY>China</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>
  </INDIVIDUAL>
 </INDIVIDUALS>
 <ENTITIES>
  <ENTITY><DATAID>110002</DATAID><FIRST_NAME>EASTERN TURKISTAN ISLAMIC MOVEMENT</FIRST_NAME>
   <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><LISTED_ON>2002-09-11</LISTED_ON>
   <ENTITY_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>ETIM</ALIAS_NAME></ENTITY_ALIAS>
  </ENTITY>
 </ENTITIES>
</CONSOLIDATED_LIST>
"""

EU_XML = """<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2024-05-01">
 <sanctionEntity designationDate="2021-03-22" logicalId="133497" euReferenceNumber="EU.7093.3">
  <regulation programme="EU-HR" publicationDate="2021-03-22" numberTitle="2021/478 (OJ L99I)"/>
  <subjectType code="person"/>
  <nameAlias wholeName="Mingguo CHEN" firstName="Mingguo" lastName="CHEN" gender="M" function="Director of the Xinjiang Public Security Bureau"/>
  <nameAlias wholeName="陈明国" nameLanguage="ZH"/>
  <birthdate birthdate="" year="1966" month="10" day="0" city="Yilong" countryDescription="CHINA"/>
  <citizenship countryIso2Code="CN" countryDescription="CHINA"/>
 </sanctionEntity>
</export>
"""

OFAC_XML = """<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="http://tempuri.org/sdnList.xsd">
 <publshInformation><Publish_Date>05/03/2024</Publish_Date></publshInformation>
 <sdnEntry><uid>29220</uid><lastName>CHEN</lastName><firstName>Quanguo</firstName>
  <sdnType>Individual</sdnType><programList><program>GLOMAG</program></programList>
  <dateOfBirthList><dateOfBirthItem><uid>1</uid><dateOfBirth>1955</dateOfBirth><mainEntry>true</mainEntry></dateOfBirthItem></dateOfBirthList>
  <placeOfBirthList><placeOfBirthItem><uid>2</uid><placeOfBirth>Pingyu, Henan, China</placeOfBirth></placeOfBirthItem></placeOfBirthList>
  <idList><id><uid>3</uid><idType>Gender</idType><idNumber>Male</idNumber></id></idList>
 </sdnEntry>
 <sdnEntry><uid>40001</uid><lastName>EXAMPLE TRADING (XINJIANG) CO., LTD.</lastName><sdnType>Entity</sdnType>
  <programList><program>GLOMAG</program></programList>
  <idList><id><uid>4</uid><idType>Unified Social Credit Code (USCC)</idType><idNumber>91110000600037341L</idNumber></id>
   <id><uid>5</uid><idType>Unified Social Credit Code (USCC)</idType><idNumber>91110000600037341M</idNumber></id></idList>
 </sdnEntry>
 <sdnEntry><uid>40002</uid><lastName>SOME SHIP</lastName><sdnType>Vessel</sdnType></sdnEntry>
</sdnList>
"""

FTM = (
    '{"id": "Q1", "schema": "Person", "properties": {"name": ["Shohrat Zakir"], '
    '"alias": ["雪克来提·扎克尔"], "birthDate": ["1953-08"], "nationality": ["cn"]}}\n'
    '{"id": "S1", "schema": "Sanction", "properties": {"entity": ["Q1"], '
    '"program": ["GLOMAG"], "authority": ["OFAC"], "startDate": ["2020-07-31"]}}\n'
    '{"id": "V1", "schema": "Vessel", "properties": {"name": ["SHIP"]}}\n'
)

OWN_CSV = (
    "id,schema,name,alias,birthDate,nationality,registrationNumber,program\n"
    "x1,Company,新疆某某棉业有限公司,Xinjiang Moumou Cotton Co. Ltd,,,91110000600037341L,watch\n"
    "x2,Person,吐尔逊·买买提,Tursun Memet,1970,China,,watch\n"
)
