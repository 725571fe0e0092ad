#include "services/property_tax/property_samples.h"

#include <fmt/format.h>

namespace palika::property_tax {
namespace {

struct Name {
  const char* en;
  const char* hi;
};

// Common first names and surnames of Madhya Pradesh, in English and in Devanagari.
constexpr Name kMen[] = {
    {"Ramesh", "रमेश"},     {"Suresh", "सुरेश"},    {"Mahesh", "महेश"},    {"Rajesh", "राजेश"},
    {"Dinesh", "दिनेश"},    {"Rakesh", "राकेश"},   {"Mukesh", "मुकेश"},    {"Santosh", "संतोष"},
    {"Vijay", "विजय"},     {"Ajay", "अजय"},      {"Sanjay", "संजय"},    {"Manoj", "मनोज"},
    {"Anil", "अनिल"},      {"Sunil", "सुनील"},    {"Ashok", "अशोक"},    {"Arun", "अरुण"},
    {"Vinod", "विनोद"},    {"Pramod", "प्रमोद"},  {"Kishore", "किशोर"}, {"Gopal", "गोपाल"},
    {"Govind", "गोविंद"},   {"Jagdish", "जगदीश"}, {"Kailash", "कैलाश"},  {"Prakash", "प्रकाश"},
    {"Rajendra", "राजेंद्र"}, {"Narendra", "नरेंद्र"}, {"Mahendra", "महेंद्र"}, {"Devendra", "देवेंद्र"},
    {"Shivam", "शिवम"},    {"Rahul", "राहुल"},    {"Amit", "अमित"},     {"Sumit", "सुमित"},
    {"Deepak", "दीपक"},    {"Mohan", "मोहन"},    {"Shyam", "श्याम"},    {"Ram", "राम"},
    {"Lakhan", "लखन"},     {"Bharat", "भरत"},    {"Dilip", "दिलीप"},   {"Yogesh", "योगेश"},
    {"Harish", "हरीश"},    {"Naresh", "नरेश"},    {"Satish", "सतीश"},   {"Ravi", "रवि"},
    {"Manish", "मनीष"},
};
constexpr Name kWomen[] = {
    {"Sunita", "सुनीता"}, {"Anita", "अनीता"},     {"Geeta", "गीता"},  {"Sita", "सीता"},
    {"Kamla", "कमला"},   {"Savitri", "सावित्री"}, {"Radha", "राधा"},  {"Lakshmi", "लक्ष्मी"},
    {"Pooja", "पूजा"},    {"Neha", "नेहा"},        {"Priya", "प्रिया"}, {"Rekha", "रेखा"},
    {"Kavita", "कविता"}, {"Mamta", "ममता"},      {"Usha", "उषा"},    {"Asha", "आशा"},
    {"Meena", "मीना"},   {"Shanti", "शांति"},     {"Pushpa", "पुष्पा"}, {"Saroj", "सरोज"},
    {"Suman", "सुमन"},    {"Manju", "मंजू"},        {"Seema", "सीमा"},  {"Nirmala", "निर्मला"},
    {"Jyoti", "ज्योति"},  {"Anjali", "अंजलि"},     {"Rani", "रानी"},   {"Durga", "दुर्गा"},
};
constexpr Name kSurnames[] = {
    {"Sharma", "शर्मा"},
    {"Verma", "वर्मा"},
    {"Gupta", "गुप्ता"},
    {"Jain", "जैन"},
    {"Agrawal", "अग्रवाल"},
    {"Patel", "पटेल"},
    {"Yadav", "यादव"},
    {"Chouhan", "चौहान"},
    {"Rathore", "राठौर"},
    {"Tiwari", "तिवारी"},
    {"Mishra", "मिश्रा"},
    {"Dubey", "दुबे"},
    {"Pandey", "पांडे"},
    {"Joshi", "जोशी"},
    {"Soni", "सोनी"},
    {"Malviya", "मालवीय"},
    {"Solanki", "सोलंकी"},
    {"Parmar", "परमार"},
    {"Thakur", "ठाकुर"},
    {"Singh", "सिंह"},
    {"Kushwaha", "कुशवाहा"},
    {"Sahu", "साहू"},
    {"Rajput", "राजपूत"},
    {"Patidar", "पाटीदार"},
    {"Choudhary", "चौधरी"},
    {"Goyal", "गोयल"},
    {"Maheshwari", "माहेश्वरी"},
    {"Shrivastava", "श्रीवास्तव"},
    {"Saxena", "सक्सेना"},
    {"Trivedi", "त्रिवेदी"},
    {"Dixit", "दीक्षित"},
    {"Bhargava", "भार्गव"},
    // Muslim surnames last (kFirstMuslimSurname): they take the first names below.
    {"Khan", "ख़ान"},
    {"Qureshi", "क़ुरैशी"},
    {"Ansari", "अंसारी"},
    {"Sheikh", "शेख़"},
};
constexpr int kFirstMuslimSurname = 32;
constexpr Name kMuslimMen[] = {{"Abdul", "अब्दुल"}, {"Salim", "सलीम"},      {"Imran", "इमरान"},
                               {"Rafiq", "रफ़ीक़"}, {"Mohammad", "मोहम्मद"}, {"Irfan", "इरफ़ान"}};
constexpr Name kMuslimWomen[] = {
    {"Shabana", "शबाना"}, {"Farida", "फ़रीदा"}, {"Nasreen", "नसरीन"}, {"Rukhsana", "रुख़साना"}};

constexpr Name kStreets[] = {
    {"Gandhi Marg", "गांधी मार्ग"},
    {"Nehru Nagar", "नेहरू नगर"},
    {"Shastri Colony", "शास्त्री कॉलोनी"},
    {"Tilak Path", "तिलक पथ"},
    {"Subhash Chowk", "सुभाष चौक"},
    {"Station Road", "स्टेशन रोड"},
    {"M.G. Road", "एम.जी. रोड"},
    {"Ahilya Path", "अहिल्या पथ"},
    {"Jawahar Marg", "जवाहर मार्ग"},
    {"Sadar Bazar", "सदर बाज़ार"},
    {"Kila Maidan", "किला मैदान"},
    {"Ram Bagh", "राम बाग"},
    {"Annapurna Road", "अन्नपूर्णा रोड"},
    {"Indira Colony", "इंदिरा कॉलोनी"},
    {"Ambedkar Nagar", "आंबेडकर नगर"},
    {"Shivaji Nagar", "शिवाजी नगर"},
    {"Tagore Marg", "टैगोर मार्ग"},
    {"Azad Nagar", "आज़ाद नगर"},
    {"Patel Nagar", "पटेल नगर"},
    {"Juni Basti", "जूनी बस्ती"},
    {"Kanch Mandir Road", "कांच मंदिर रोड"},
    {"Bada Ganpati", "बड़ा गणपति"},
};

template <typename T, size_t N>
constexpr size_t Count(const T (&)[N]) {
  return N;
}

}  // namespace

PropertySamples::PropertySamples(uint64_t seed, std::vector<SampleWard> wards)
    : rng_(seed), wards_(std::move(wards)) {}

int64_t PropertySamples::Uniform(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
}

bool PropertySamples::Chance(int percent) { return Uniform(1, 100) <= percent; }

PropertySamples::Person PropertySamples::RandomPerson(bool female, int surname) {
  const bool muslim = surname >= kFirstMuslimSurname;
  const Name& first =
      muslim ? (female ? kMuslimWomen[Uniform(0, Count(kMuslimWomen) - 1)]
                       : kMuslimMen[Uniform(0, Count(kMuslimMen) - 1)])
             : (female ? kWomen[Uniform(0, Count(kWomen) - 1)] : kMen[Uniform(0, Count(kMen) - 1)]);
  const Name& last = kSurnames[surname];
  return {fmt::format("{} {}", first.en, last.en), fmt::format("{} {}", first.hi, last.hi)};
}

std::string PropertySamples::RandomMobile() {
  const int p = static_cast<int>(Uniform(1, 100));
  std::string m(1, p <= 40 ? '9' : p <= 65 ? '8' : p <= 90 ? '7' : '6');
  for (int i = 0; i < 9; ++i) m.push_back(static_cast<char>('0' + Uniform(0, 9)));
  return m;
}

PropertyDetails PropertySamples::Next() {
  PropertyDetails d;
  const SampleWard& ward = wards_[Uniform(0, static_cast<int64_t>(wards_.size()) - 1)];
  d.ward = ward.number;

  // Address: house number, sometimes a lane, a street or colony, the ward.
  const Name& street = kStreets[Uniform(0, Count(kStreets) - 1)];
  std::string house = std::to_string(Uniform(1, 450));
  if (Chance(20)) house += fmt::format("/{}", Uniform(1, 9));
  if (Chance(25)) {
    const int64_t lane = Uniform(1, 12);
    d.address = fmt::format("H.No. {}, Gali No. {}, {}, {}", house, lane, street.en, ward.name);
    d.address_hi =
        fmt::format("मकान नं. {}, गली नं. {}, {}, {}", house, lane, street.hi, ward.name_hi);
  } else {
    d.address = fmt::format("H.No. {}, {}, {}", house, street.en, ward.name);
    d.address_hi = fmt::format("मकान नं. {}, {}, {}", house, street.hi, ward.name_hi);
  }

  // Owners: one, a couple, or three heirs with equal shares.
  const int surname =
      static_cast<int>(Chance(8) ? Uniform(kFirstMuslimSurname, Count(kSurnames) - 1)
                                 : Uniform(0, kFirstMuslimSurname - 1));
  const int kind = static_cast<int>(Uniform(1, 100));
  if (kind <= 68) {
    auto p = RandomPerson(Chance(15), surname);
    d.owners.push_back({p.name, p.name_hi, Chance(92) ? RandomMobile() : "", 10000});
  } else if (kind <= 95) {
    auto husband = RandomPerson(false, surname);
    auto wife = RandomPerson(true, surname);
    const int64_t share = Chance(70) ? 5000 : 6000;
    d.owners.push_back({husband.name, husband.name_hi, Chance(92) ? RandomMobile() : "", share});
    d.owners.push_back({wife.name, wife.name_hi, Chance(50) ? RandomMobile() : "", 10000 - share});
  } else {
    for (int i = 0; i < 3; ++i) {
      auto heir = RandomPerson(Chance(40), surname);
      d.owners.push_back({heir.name, heir.name_hi, Chance(i == 0 ? 92 : 50) ? RandomMobile() : "",
                          i ? 3333 : 3334});
    }
  }

  // What stands on the plot.
  const int use = static_cast<int>(Uniform(1, 100));
  auto construction = [&]() -> std::string {
    const int c = static_cast<int>(Uniform(1, 100));
    return c <= 55 ? "rcc" : c <= 80 ? "rbc" : c <= 88 ? "tin_shed" : "kachcha";
  };
  auto occupancy = [&](int rented_percent) -> std::string {
    return Chance(rented_percent) ? "rented" : "self";
  };
  if (use <= 6) {  // vacant plot
    d.plot_area_sqft = Uniform(6, 50) * 100;
    return d;
  }
  const bool commercial = use > 64 && use <= 89;
  d.plot_area_sqft = commercial ? Uniform(15, 200) * 10 : Uniform(40, 300) * 10;
  const int64_t ground = d.plot_area_sqft * Uniform(60, 90) / 100;
  std::string ground_construction = construction();
  int floors = static_cast<int>(Uniform(1, 3));
  if (ground_construction == "kachcha" || ground_construction == "tin_shed") floors = 1;
  auto add = [&](int64_t floor, std::string c, std::string u, std::string occ) {
    const int64_t area = floor == 0 ? ground : ground * Uniform(70, 100) / 100;
    d.floors.push_back(
        {floor, std::max<int64_t>(area, 50), std::move(c), std::move(u), std::move(occ)});
  };
  if (use <= 64) {  // house
    for (int f = 0; f < floors; ++f) {
      add(f, ground_construction, "residential", occupancy(f == 0 ? 10 : 35));
    }
  } else if (use <= 80) {  // shop below, home above
    add(0, ground_construction, "commercial_shop", occupancy(40));
    for (int f = 1; f < floors; ++f) add(f, ground_construction, "residential", occupancy(25));
  } else if (use <= 85) {  // offices
    for (int f = 0; f < floors + 1; ++f) add(f, "rcc", "commercial_office", occupancy(60));
  } else if (use <= 89) {
    add(0, Chance(50) ? "tin_shed" : "rcc", "commercial_godown", occupancy(50));
  } else if (use <= 92) {
    add(0, Chance(40) ? "tin_shed" : "rcc", "industrial", occupancy(30));
  } else if (use <= 94) {
    add(0, "rcc", "institutional", "self");
    if (floors > 1) add(1, "rcc", "institutional", "self");
  } else {
    for (int f = 0; f < floors; ++f) add(f, ground_construction, "mixed", occupancy(30));
  }
  return d;
}

}  // namespace palika::property_tax
