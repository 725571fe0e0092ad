#pragma once
// Handlers of the accounts' routes (listed with their permissions in AccountsRoutes()):
//   GET  /api/v1/ulbs/{ulb}/accounts/chart                   the chart of accounts
//   GET  /api/v1/ulbs/{ulb}/accounts/journal?date=            a day's vouchers with their lines
//   GET  /api/v1/ulbs/{ulb}/accounts/collections?date=        collection register by counter, mode
//   GET  /api/v1/ulbs/{ulb}/accounts/trial-balance?on=        every account's totals up to a date
//   POST /api/v1/ulbs/{ulb}/accounts/day-close                the cashier's close -> 201 the record
//   GET  /api/v1/ulbs/{ulb}/accounts/day-close?date=          closes (newest first)
//   GET  /api/v1/ulbs/{ulb}/reports/dcb?fy=&format=json|csv|xlsx   the DCB register by ward
// Dates default to today in India, the year to the current one. The day close accepts an
// Idempotency-Key header (a retry gets the same record, marked Idempotent-Replayed). They run
// after Guard; they hold no rules of their own.

#include "http/api/api.h"
#include "http/request.h"
#include "http/response.h"

namespace palika::http {

Response AccountsChart(ApiContext& ctx, Request& req);
Response AccountsJournal(ApiContext& ctx, Request& req);
Response AccountsCollections(ApiContext& ctx, Request& req);
Response AccountsTrialBalance(ApiContext& ctx, Request& req);
Response AccountsCloseDay(ApiContext& ctx, Request& req, const identity::Principal& who);
Response AccountsDayCloses(ApiContext& ctx, Request& req);
Response DcbReportDownload(ApiContext& ctx, Request& req);

}  // namespace palika::http
