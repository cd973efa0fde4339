-- The store-wide feed orders events by (xact_id, position) and shows only rows below every running
-- transaction. A transaction's id is assigned when it first writes or locks — before it waits for a
-- session's row lock — so two appends to one session can get ids in the opposite order to the one
-- the lock gives them, and the feed then showed a session's later events first. An append's xact_id
-- is therefore the greater of its own transaction id and the session's previous append's: never
-- below its own (the horizon check stays sound) and never below the previous batch's (log order).
ALTER TABLE resources ADD COLUMN event_head_xact bigint NOT NULL DEFAULT 0;
UPDATE resources r SET event_head_xact = e.last
    FROM (SELECT session_id, MAX(xact_id) AS last FROM session_events GROUP BY session_id) e
    WHERE r.kind = 'session' AND r.id = e.session_id;
