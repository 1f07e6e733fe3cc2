-- A page of `operating_without_income` walked past every operating asset with an income
-- in the last year (issue #18 gaps): the finding's rows were read by scope, kind and
-- code and those held back by a recent income skipped one by one. The rows an income
-- holds back now stand under a rank of their own, 104 (the kind's rank, 4, plus 100:
-- `reconcile::findings::income`), with the day of that income. A held row turns into a
-- finding a year after its income: every write and the server's start move the rows
-- whose year has passed back to rank 4, and a page reads the few that passed since
-- through this index, by day.
UPDATE findings SET rank = 104 WHERE rank = 4 AND on_date IS NOT NULL;
CREATE INDEX findings_held ON findings (rank, on_date) WHERE rank = 104;
