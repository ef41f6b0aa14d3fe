-- A running balance per organization, updated in the same transaction as every ledger entry (Ledger.AppendAsync),
-- so a create reads one row instead of summing the organization's whole ledger. The ledger stays append-only and
-- the source of truth: balance = SUM(ledger_entries.amount) of the organization, checked by CreditLedgerTests.
CREATE TABLE org_balances (
  org_id   TEXT PRIMARY KEY REFERENCES organizations(id),
  balance  BIGINT NOT NULL
);
INSERT INTO org_balances (org_id, balance) SELECT org_id, CAST(SUM(amount) AS BIGINT) FROM ledger_entries GROUP BY org_id;
-- The daily cap counts an organization's creates of one model in the last 24 hours: an index range, not a scan.
CREATE INDEX ix_tasks_org_model_created ON tasks(org_id, model, created_at);
