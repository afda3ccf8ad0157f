-- One name for the workshop capability (issue #18): what the product calls a workshop (« atelier » in the French
-- UI) was the table `room`. Renamed in place, rows kept: room → workshop, room_viewer → workshop_viewer, every
-- room_id column → workshop_id, and the constraints and indexes whose names said "room". participant, annotation
-- and annotation_event keep their names (they are the workshop's participants and annotations). The wire keeps
-- `roomId` (the hub protocol is a public contract); the events' stored payloads are untouched.

alter table room rename to workshop;
alter table room_viewer rename to workshop_viewer;

alter table participant rename column room_id to workshop_id;
alter table annotation rename column room_id to workshop_id;
alter table annotation_event rename column room_id to workshop_id;
alter table workshop_viewer rename column room_id to workshop_id;

-- Constraints (primary and unique keys rename their index with them) and the other indexes, by what they are named
-- now, so the names say what they hold: room_pkey → workshop_pkey, participant_room_id_fkey →
-- participant_workshop_id_fkey, annotation_room_idx → annotation_workshop_idx, …
do $$
declare
    c record;
begin
    for c in
        select con.conname, con.conrelid::regclass as tbl
        from pg_constraint con
        where con.conrelid in ('workshop'::regclass, 'workshop_viewer'::regclass, 'participant'::regclass,
                               'annotation'::regclass, 'annotation_event'::regclass)
          and con.conname like '%room%'
    loop
        execute format('alter table %s rename constraint %I to %I', c.tbl, c.conname, replace(c.conname, 'room', 'workshop'));
    end loop;

    for c in
        select i.relname
        from pg_index x join pg_class i on i.oid = x.indexrelid
        where x.indrelid in ('workshop'::regclass, 'workshop_viewer'::regclass, 'participant'::regclass,
                             'annotation'::regclass, 'annotation_event'::regclass)
          and i.relname like '%room%'
    loop
        execute format('alter index %I rename to %I', c.relname, replace(c.relname, 'room', 'workshop'));
    end loop;
end
$$;

comment on table workshop is 'A workshop (« atelier »): participants annotate one map live; last_seq numbers and serialises its writes.';
