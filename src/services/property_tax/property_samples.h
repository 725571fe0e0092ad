#pragma once
// PropertySamples: realistic made-up properties for the demo (`palika init --demo`), tests and
// benchmarks. Owners get common Hindi first names and surnames, spelt in English and in
// Devanagari; households have one to three owners with shares summing to 100%; addresses are
// house numbers on common street and colony names of the ward; floors mix uses and constructions
// roughly as a Madhya Pradesh town does (mostly residential RCC, shops on the ground floor, some
// tin sheds and kachcha houses, a few vacant plots). Mobile numbers are random 10-digit numbers
// starting 6-9: they may belong to real people, so never send them anything.
//
// Deterministic: the same seed gives the same properties. Not thread-safe (one per thread).

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "services/property_tax/property.h"

namespace palika::property_tax {

struct SampleWard {
  int64_t number = 0;
  std::string name;     // "Rajwada"
  std::string name_hi;  // "राजवाड़ा"
};

class PropertySamples {
 public:
  PropertySamples(uint64_t seed, std::vector<SampleWard> wards);

  // The next property, in a ward chosen at random.
  PropertyDetails Next();

 private:
  struct Person {
    std::string name;
    std::string name_hi;
  };
  Person RandomPerson(bool female, int surname);
  std::string RandomMobile();
  int64_t Uniform(int64_t lo, int64_t hi);  // inclusive
  bool Chance(int percent);

  std::mt19937_64 rng_;
  std::vector<SampleWard> wards_;
};

}  // namespace palika::property_tax
