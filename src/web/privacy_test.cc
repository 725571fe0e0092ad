// The public pages' masking of owners' names and mobiles (docs/web.md "Privacy of the public
// search").

#include <gtest/gtest.h>

#include "web/routes.h"

namespace palika::web::detail {
namespace {

TEST(PublicPrivacy, NamesShowOnlyEachWordsFirstLetter) {
  EXPECT_EQ(MaskedName("Narendra Patidar"), "N*** P***");
  EXPECT_EQ(MaskedName("  Asha   Verma "), "A*** V***");
  EXPECT_EQ(MaskedName("नरेंद्र पाटीदार"), "न*** पा***");  // the vowel sign stays with its letter
  EXPECT_EQ(MaskedName("श्री राम"), "श्*** रा***");
  EXPECT_EQ(MaskedName("X"), "X***");  // the length of a name is not shown either
  EXPECT_EQ(MaskedName(""), "");
}

TEST(PublicPrivacy, MobilesShowOnlyTheLastFourDigits) {
  EXPECT_EQ(property_tax::MaskedMobile("9876543210"), "******3210");
  EXPECT_EQ(property_tax::MaskedMobile(""), "");
  EXPECT_EQ(property_tax::MaskedMobile("12"), "******");
}

}  // namespace
}  // namespace palika::web::detail
