DROP INDEX findings_held;
UPDATE findings SET rank = 4 WHERE rank = 104;
