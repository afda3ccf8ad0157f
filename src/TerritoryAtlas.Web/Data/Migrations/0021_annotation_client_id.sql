-- The id a client gives an annotation it creates (a UUID it makes before sending), so that sending it again after a
-- lost acknowledgement (a dropped connection, a database restart) finds the annotation already written instead of
-- drawing it twice. Null for annotations made before, or by clients that send none.
alter table annotation add column client_id uuid;
create unique index annotation_client_id_idx on annotation (room_id, client_id) where client_id is not null;
