-- Issue 16: the impact figures find a conversation's case by its room (case_call's key
-- starts with the case), and the questions handled in a period by the moment they were
-- handled.
CREATE INDEX case_call_by_room ON case_call (room_id);
CREATE INDEX case_audit_handled ON case_audit (case_id, at_ms)
    WHERE action IN ('status.approved', 'status.refused', 'status.closed', 'case.handled_in_one_go');
