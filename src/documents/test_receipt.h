#pragma once
// A realistic sample receipt for the documents tests (Indore, property tax with arrears, a name
// with the conjuncts "श्री" and "क्ष"), and a node key to sign it with. Test-only.

#include <string>

#include "core/civil_date.h"
#include "core/money.h"
#include "documents/receipt.h"
#include "ledger/signed_note.h"

namespace palika::documents::testing {

inline Receipt SampleReceipt() {
  Receipt r;
  r.ulb_code = "0152";
  r.ulb_name_en = "Indore Municipal Corporation";
  r.ulb_name_hi = "इंदौर नगर पालिक निगम";
  r.receipt_no = "0152/2026-27/C1/000123";
  r.paid_at_micros = ParseUtcMicros("2026-11-28T14:05:00+05:30").value();
  r.property_id = "0152-W12-000345";
  r.payer_name_en = "Smt. Lakshmi Devi Sharma";
  r.payer_name_hi = "श्रीमती लक्ष्मी देवी शर्मा";
  r.owner_address_en = "House 12, Kshipra Marg, Ward 12, Indore";
  r.owner_address_hi = "मकान 12, क्षिप्रा मार्ग, वार्ड 12, इंदौर";
  r.mode = PaymentMode::kCash;
  r.amount = Money::FromPaise(1'23'456'50);
  r.allocations = {
      {"2025-26", "Surcharge", "अधिभार", Money::FromRupees(2'150)},
      {"2025-26", "Property tax", "संपत्ति कर", Money::FromRupees(43'000)},
      {"2026-27", "Property tax", "संपत्ति कर", Money::FromRupees(45'000)},
      {"2026-27", "Samekit kar", "समेकित कर", Money::FromRupees(9'000)},
      {"2026-27", "Education cess", "शिक्षा उपकर", Money::FromRupees(4'500)},
      {"2026-27", "Urban development cess", "नगरीय विकास उपकर", Money::FromRupees(4'500)},
  };
  r.advance = Money::FromPaise(15'306'50);
  r.cashier_name = "Suresh Patel";
  r.origin = "node-3fa2c1d4";
  r.seq = 4711;
  return r;
}

// A fixed node key, so that codes, PDFs and the sample PNGs are the same on every run.
inline ledger::NoteSigner SampleNodeKey() {
  return ledger::NoteSigner::FromSeed("palika/node-3fa2c1d4", std::string(32, '\x5a')).value();
}

}  // namespace palika::documents::testing
