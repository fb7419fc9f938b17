// Embedded word lists for the demo generator. Changing any list changes the data every seed
// produces (the golden test in generator_test.cpp then needs a new expected value).
#include "demo/names.h"

#include <array>

namespace rapport::demo::names {
namespace {

// Given names of many cultures, romanised where the original script is not Latin.
constexpr std::string_view kFirstNames[] = {
    // English-speaking
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Emily", "Olivia", "Liam", "Noah", "Emma", "Ava", "Ethan",
    "Chloe",
    // German, Dutch, Nordic
    "Lukas", "Anna", "Jonas", "Lea", "Felix", "Jürgen", "Greta", "Mathias", "Søren", "Ingrid",
    "Astrid", "Björn", "Sigrid", "Freya", "Lars", "Nils", "Maja", "Elias", "Henrik", "Annika",
    // French, Italian, Spanish, Portuguese
    "Léa", "Camille", "Chloé", "Hugo", "Théo", "Émile", "Giulia", "Lorenzo", "Francesca", "Matteo",
    "Sofia", "Alessandro", "José", "María", "Lucía", "Javier", "Álvaro", "Inés", "Ana", "João",
    "Gonçalo", "Beatriz", "Tiago", "Mariana",
    // Central and Eastern European
    "Łukasz", "Agnieszka", "Katarzyna", "Piotr", "Tomáš", "Jana", "Petra", "Ivan", "Olga", "Dmitri",
    "Natalia", "Milan", "Vesna", "Bogdan", "Irina", "Ioana", "Andrei",
    // Greek, Turkish
    "Nikos", "Eleni", "Dimitris", "Katerina", "Mehmet", "Ayşe", "Emre", "Zeynep", "Elif", "Burak",
    // Arabic, Persian
    "Fatima", "Omar", "Ahmed", "Layla", "Yusuf", "Aisha", "Karim", "Noor", "Hassan", "Amira",
    "Reza", "Shirin", "Parisa",
    // West, East and Southern African
    "Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Kwame", "Ama", "Kofi", "Abena", "Thabo", "Lerato",
    "Sipho", "Nomvula", "Wanjiru", "Kamau", "Amani", "Zawadi", "Tendai", "Chipo",
    // South Asian
    "Priya", "Arjun", "Ananya", "Rahul", "Deepika", "Vikram", "Aarav", "Diya", "Rohan", "Kavya",
    "Sanjay", "Meera", "Imran", "Ayesha", "Nimal", "Tharindu",
    // East Asian
    "Wei", "Li Na", "Jun", "Mei", "Hao", "Xiu", "Yan", "Haruto", "Yui", "Sota", "Sakura", "Ren",
    "Aoi", "Hiroshi", "Yuki", "Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun",
    // South-East Asian
    "Linh", "Minh", "Thao", "Anh", "Siti", "Putri", "Budi", "Dewi", "Rizal", "Maria", "Jose",
    "Ramon", "Luz", "Ahmad", "Nurul",
    // Latin American
    "Valentina", "Santiago", "Camila", "Mateo", "Isabella", "Sebastián", "Daniela", "Diego",
    "Gabriela", "Alejandro", "Ximena", "Joaquín",
    // Māori and Pacific
    "Aroha", "Tāne", "Mere", "Wiremu", "Sione", "Losa", "Mele",
    // Hebrew and others
    "Noa", "Yael", "Avi", "Tamar", "Eitan", "Aiyana", "Kai", "Sasha", "Alex", "Sam", "Jordan",
    "Robin"};

constexpr std::string_view kLastNames[] = {
    // English-speaking
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Clark", "Walker", "Wright", "Hughes", "Murphy", "O'Brien",
    "Kelly", "Campbell",
    // German, Dutch, Nordic, Finnish
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann",
    "van der Berg", "de Vries", "Jansen", "Bakker", "Andersson", "Johansson", "Lindqvist",
    "Nilsson", "Hansen", "Jensen", "Nielsen", "Virtanen", "Korhonen", "Strøm",
    // French, Italian, Spanish, Portuguese
    "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Rossi", "Russo", "Bianchi", "Romano",
    "Esposito", "Ferrari", "García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
    "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Gonçalves",
    // Central and Eastern European
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Novák", "Svoboda", "Dvořák", "Ivanov", "Petrova",
    "Smirnov", "Popescu", "Ionescu", "Horváth", "Nagy", "Kovačević", "Petrović",
    // Greek, Turkish
    "Papadopoulos", "Georgiou", "Nikolaidis", "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk",
    // Arabic, Persian
    "Haddad", "Khalil", "Nasser", "Al-Farsi", "Mansour", "Hamdan", "Rahimi", "Hosseini", "Karimi",
    "El-Amin", "Saleh", "Aziz",
    // African
    "Okafor", "Okonkwo", "Adeyemi", "Eze", "Mensah", "Owusu", "Boateng", "Nkosi", "Dlamini",
    "Ndlovu", "Mokoena", "Kariuki", "Otieno", "Wanjiku", "Mwangi", "Banda", "Moyo", "Diallo",
    "Traoré", "Keita",
    // South Asian
    "Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Banerjee", "Chatterjee",
    "Das", "Khan", "Hussain", "Perera", "Fernando", "Rao",
    // East Asian
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Sato", "Suzuki",
    "Takahashi", "Tanaka", "Watanabe", "Nakamura", "Kobayashi", "Kim", "Lee", "Park", "Choi",
    "Jung", "Kang",
    // South-East Asian
    "Nguyen", "Tran", "Le", "Pham", "Hoang", "Santoso", "Wijaya", "Hidayat", "Reyes", "Cruz",
    "Bautista", "Dela Cruz", "Tan", "Lim", "Ong",
    // Latin American
    "Rodríguez", "Hernández", "González", "Ramírez", "Torres", "Flores", "Rivera", "Vargas",
    "Castillo", "Morales", "Ortiz", "Mendoza",
    // Māori and Pacific
    "Ngata", "Parata", "Te Awa", "Tūhiwai", "Fonoti", "Tupou", "Fifita",
    // Hebrew
    "Cohen", "Levi", "Friedman", "Katz", "Mizrahi"};

// Company names: <Prefix><root> <Descriptor>, e.g. "Northwind Logistics".
constexpr std::string_view kCompanyPrefixes[] = {
    "North",  "Blue",    "Silver", "Bright", "Iron",  "Green",  "Red",   "Oak",
    "Stone",  "Sun",     "Star",   "River",  "Lake",  "Cedar",  "Maple", "Summit",
    "Harbor", "Crystal", "Golden", "Swift",  "Clear", "True",   "Prime", "Nova",
    "Terra",  "Aqua",    "Vista",  "Alpen",  "Polar", "Coral",  "Amber", "Falcon",
    "Eagle",  "Fox",     "Wolf",   "Lion",   "Pine",  "Willow", "Rock",  "Sky"};

constexpr std::string_view kCompanyRoots[] = {
    "wind",   "peak", "field", "bridge", "gate",  "point", "way",   "line", "works", "forge",
    "light",  "wave", "brook", "haven",  "crest", "ridge", "port",  "view", "vale",  "mark",
    "spring", "leaf", "wood",  "stone",  "hill",  "mont",  "shore", "dale", "ford",  "well"};

// The industry a descriptor implies (empty: says nothing about the industry).
constexpr Descriptor kCompanyDescriptors[] = {
    {"Logistics", "Logistics"},
    {"Analytics", "Software"},
    {"Foods", "Food & Beverage"},
    {"Systems", ""},
    {"Solutions", ""},
    {"Partners", "Consulting"},
    {"Consulting", "Consulting"},
    {"Manufacturing", "Manufacturing"},
    {"Health", "Healthcare"},
    {"Energy", "Energy"},
    {"Media", "Media"},
    {"Capital", "Financial Services"},
    {"Supply", "Wholesale"},
    {"Distribution", "Wholesale"},
    {"Trading", "Wholesale"},
    {"Industries", "Manufacturing"},
    {"Labs", ""},
    {"Studio", "Media"},
    {"Group", ""},
    {"Networks", "Telecommunications"},
    {"Robotics", "Manufacturing"},
    {"Pharma", "Pharmaceuticals"},
    {"Textiles", "Manufacturing"},
    {"Motors", "Automotive"},
    {"Construction", "Construction"},
    {"Retail", "Retail"},
    {"Software", "Software"},
    {"Security", "Software"},
    {"Travel", "Travel"},
    {"Farms", "Agriculture"},
    {"Brewing", "Food & Beverage"},
    {"Design", "Consulting"},
    {"Engineering", "Construction"},
    {"Holdings", "Financial Services"},
    {"Outfitters", "Retail"},
};

constexpr std::string_view kIndustries[] = {
    "Software",        "Retail",     "Manufacturing",      "Healthcare",      "Financial Services",
    "Logistics",       "Education",  "Hospitality",        "Construction",    "Agriculture",
    "Energy",          "Media",      "Telecommunications", "Real Estate",     "Automotive",
    "Food & Beverage", "Consulting", "Nonprofit",          "Pharmaceuticals", "Legal Services",
    "Wholesale",       "Travel"};

// Reserved under RFC 2606, so demo data can never mail a real person.
constexpr std::string_view kPersonalMailDomains[] = {"mail.example",    "inbox.example",
                                                     "post.example",    "webmail.example",
                                                     "mailbox.example", "letters.example"};

constexpr std::string_view kTags[] = {"vip",
                                      "newsletter",
                                      "webinar-2026",
                                      "trade-show",
                                      "beta-tester",
                                      "high-value",
                                      "enterprise",
                                      "smb",
                                      "decision-maker",
                                      "technical",
                                      "partner-contact",
                                      "churn-risk",
                                      "referral",
                                      "event-attendee",
                                      "trial",
                                      "annual-plan",
                                      "monthly-plan",
                                      "needs-follow-up",
                                      "do-not-call",
                                      "onboarding"};

constexpr Weighted kSources[] = {{"web_form", 30},      {"import", 20}, {"referral", 10},
                                 {"event", 8},          {"webinar", 7}, {"paid_search", 8},
                                 {"organic_search", 7}, {"social", 5},  {"partner", 3},
                                 {"sales_outreach", 1}, {"api", 1}};

constexpr Weighted kLifecycleStages[] = {{"lead", 35},    {"subscriber", 25}, {"customer", 22},
                                         {"advocate", 5}, {"at_risk", 6},     {"churned", 5},
                                         {"other", 2}};

constexpr Weighted kRelationships[] = {{"customer", 40}, {"prospect", 30},   {"vendor", 8},
                                       {"supplier", 8},  {"distributor", 6}, {"partner", 6},
                                       {"other", 2}};

// Weights roughly follow where a European/American SaaS CRM finds its customers.
constexpr Region kRegions[] = {{"America/New_York", "US", "1", 10, "Inc.", 14},
                               {"America/Chicago", "US", "1", 10, "Inc.", 8},
                               {"America/Denver", "US", "1", 10, "LLC", 3},
                               {"America/Los_Angeles", "US", "1", 10, "Inc.", 8},
                               {"America/Toronto", "CA", "1", 10, "Inc.", 4},
                               {"America/Vancouver", "CA", "1", 10, "Ltd.", 2},
                               {"America/Mexico_City", "MX", "52", 10, "S.A. de C.V.", 3},
                               {"America/Sao_Paulo", "BR", "55", 11, "Ltda.", 4},
                               {"America/Argentina/Buenos_Aires", "AR", "54", 10, "S.A.", 2},
                               {"America/Bogota", "CO", "57", 10, "S.A.S.", 1},
                               {"America/Santiago", "CL", "56", 9, "SpA", 1},
                               {"America/Lima", "PE", "51", 9, "S.A.C.", 1},
                               {"Europe/London", "GB", "44", 10, "Ltd", 9},
                               {"Europe/Dublin", "IE", "353", 9, "Ltd", 2},
                               {"Europe/Lisbon", "PT", "351", 9, "Lda.", 2},
                               {"Europe/Madrid", "ES", "34", 9, "S.L.", 4},
                               {"Europe/Paris", "FR", "33", 9, "SAS", 5},
                               {"Europe/Brussels", "BE", "32", 9, "BV", 1},
                               {"Europe/Amsterdam", "NL", "31", 9, "B.V.", 3},
                               {"Europe/Berlin", "DE", "49", 11, "GmbH", 7},
                               {"Europe/Zurich", "CH", "41", 9, "AG", 2},
                               {"Europe/Vienna", "AT", "43", 10, "GmbH", 1},
                               {"Europe/Rome", "IT", "39", 10, "S.r.l.", 3},
                               {"Europe/Stockholm", "SE", "46", 9, "AB", 2},
                               {"Europe/Oslo", "NO", "47", 8, "AS", 1},
                               {"Europe/Copenhagen", "DK", "45", 8, "ApS", 1},
                               {"Europe/Helsinki", "FI", "358", 9, "Oy", 1},
                               {"Europe/Warsaw", "PL", "48", 9, "sp. z o.o.", 2},
                               {"Europe/Prague", "CZ", "420", 9, "s.r.o.", 1},
                               {"Europe/Athens", "GR", "30", 10, "S.A.", 1},
                               {"Europe/Istanbul", "TR", "90", 10, "A.Ş.", 2},
                               {"Africa/Lagos", "NG", "234", 10, "Ltd", 2},
                               {"Africa/Nairobi", "KE", "254", 9, "Ltd", 1},
                               {"Africa/Johannesburg", "ZA", "27", 9, "(Pty) Ltd", 2},
                               {"Africa/Cairo", "EG", "20", 10, "S.A.E.", 1},
                               {"Asia/Dubai", "AE", "971", 9, "LLC", 1},
                               {"Asia/Kolkata", "IN", "91", 10, "Pvt. Ltd.", 5},
                               {"Asia/Singapore", "SG", "65", 8, "Pte. Ltd.", 2},
                               {"Asia/Shanghai", "CN", "86", 11, "Co., Ltd.", 3},
                               {"Asia/Tokyo", "JP", "81", 10, "K.K.", 3},
                               {"Asia/Seoul", "KR", "82", 10, "Co., Ltd.", 2},
                               {"Asia/Jakarta", "ID", "62", 10, "", 1},
                               {"Asia/Manila", "PH", "63", 10, "Inc.", 1},
                               {"Asia/Ho_Chi_Minh", "VN", "84", 9, "JSC", 1},
                               {"Australia/Sydney", "AU", "61", 9, "Pty Ltd", 3},
                               {"Australia/Melbourne", "AU", "61", 9, "Pty Ltd", 2},
                               {"Australia/Perth", "AU", "61", 9, "Pty Ltd", 1},
                               {"Pacific/Auckland", "NZ", "64", 9, "Ltd", 2},
                               {"UTC", "GB", "44", 10, "Ltd", 1}};

// Code point -> ASCII for the Latin letters the lists above use (and their neighbours).
struct Fold {
  char32_t cp;
  const char* ascii;
};
constexpr Fold kFolds[] = {
    {U'à', "a"}, {U'á', "a"},  {U'â', "a"}, {U'ã', "a"}, {U'ä', "a"},  {U'å', "a"}, {U'æ', "ae"},
    {U'ç', "c"}, {U'è', "e"},  {U'é', "e"}, {U'ê', "e"}, {U'ë', "e"},  {U'ì', "i"}, {U'í', "i"},
    {U'î', "i"}, {U'ï', "i"},  {U'ñ', "n"}, {U'ò', "o"}, {U'ó', "o"},  {U'ô', "o"}, {U'õ', "o"},
    {U'ö', "o"}, {U'ø', "o"},  {U'ù', "u"}, {U'ú', "u"}, {U'û', "u"},  {U'ü', "u"}, {U'ý', "y"},
    {U'ÿ', "y"}, {U'ß', "ss"}, {U'ā', "a"}, {U'ą', "a"}, {U'ć', "c"},  {U'č', "c"}, {U'ď', "d"},
    {U'ē', "e"}, {U'ę', "e"},  {U'ě', "e"}, {U'ğ', "g"}, {U'ī', "i"},  {U'ı', "i"}, {U'ł', "l"},
    {U'ń', "n"}, {U'ň', "n"},  {U'ō', "o"}, {U'ő', "o"}, {U'œ', "oe"}, {U'ř', "r"}, {U'ś', "s"},
    {U'ş', "s"}, {U'š', "s"},  {U'ţ', "t"}, {U'ť', "t"}, {U'ū', "u"},  {U'ů', "u"}, {U'ű', "u"},
    {U'ź', "z"}, {U'ż', "z"},  {U'ž', "z"}, {U'đ', "d"}, {U'ș', "s"},  {U'ț', "t"}};

// Lower-cases the Latin-1 and Latin Extended-A capitals (U+00C0..U+017F).
char32_t LowerLatin(char32_t cp) {
  if (cp >= U'À' && cp <= U'Þ' && cp != U'×') return cp + 0x20;
  if (cp == U'İ') return U'i';
  if (cp == U'Ÿ') return U'ÿ';
  if (cp >= 0x100 && cp <= 0x17F) {
    // Pairs: even = capital, odd = small, except 0x139..0x148 and 0x179..0x17E (odd capital).
    bool odd_capital = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_capital ? (cp % 2 == 1) : (cp % 2 == 0)) return cp + 1;
  }
  if (cp == 0x218 || cp == 0x21A) return cp + 1;  // Ș, Ț
  return cp;
}

}  // namespace

std::span<const std::string_view> FirstNames() { return kFirstNames; }
std::span<const std::string_view> LastNames() { return kLastNames; }
std::span<const std::string_view> CompanyPrefixes() { return kCompanyPrefixes; }
std::span<const std::string_view> CompanyRoots() { return kCompanyRoots; }
std::span<const Descriptor> CompanyDescriptors() { return kCompanyDescriptors; }
std::span<const std::string_view> Industries() { return kIndustries; }
std::span<const std::string_view> PersonalMailDomains() { return kPersonalMailDomains; }
std::span<const std::string_view> Tags() { return kTags; }
std::span<const Weighted> Sources() { return kSources; }
std::span<const Weighted> LifecycleStages() { return kLifecycleStages; }
std::span<const Weighted> Relationships() { return kRelationships; }
std::span<const Region> Regions() { return kRegions; }

std::string AsciiFold(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {
      if (b >= 'A' && b <= 'Z') {
        out.push_back(static_cast<char>(b - 'A' + 'a'));
      } else if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) {
        out.push_back(static_cast<char>(b));
      }
      ++i;
      continue;
    }
    int len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    char32_t cp = len == 4 ? (b & 0x07) : len == 3 ? (b & 0x0F) : (b & 0x1F);
    for (int k = 1; k < len && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    i += len;
    cp = LowerLatin(cp);
    for (const Fold& f : kFolds) {
      if (f.cp == cp) {
        out += f.ascii;
        break;
      }
    }
  }
  return out;
}

}  // namespace rapport::demo::names
