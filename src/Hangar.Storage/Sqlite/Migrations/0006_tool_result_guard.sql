-- At most one client result per tool call: the check before an append reads the log, so two
-- workers posting a result for the same call at the same instant could both pass it; these
-- indexes make the second append fail inside its own transaction (nothing of it is written).
-- Results the harness writes itself (agent.tool_result) are not covered: it never races itself.
CREATE UNIQUE INDEX session_events_one_tool_result
    ON session_events (session_id, json_extract(json, '$.tool_use_id')) WHERE type = 'user.tool_result';
CREATE UNIQUE INDEX session_events_one_custom_tool_result
    ON session_events (session_id, json_extract(json, '$.custom_tool_use_id')) WHERE type = 'user.custom_tool_result';
