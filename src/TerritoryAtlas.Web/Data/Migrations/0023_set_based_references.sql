-- Foreign keys checked once per statement instead of once per row, where whole files of figures are written at once.
--
-- Why: a PostgreSQL foreign key is an AFTER ROW trigger running one lookup (and one FOR KEY SHARE lock) per row
-- written. Publishing a 300,000-row contribution wrote its figures into observation with three of them (indicator,
-- territory, dataset version: 900,000 lookups) and its validation copied them into dataset_row with one more
-- (300,000 lookups of the one version just created). EXPLAIN (ANALYZE) of publish.sql's insert on the development
-- machine: 20.1 s with the three keys against 8.4–13.0 s without them (load 15–24), the keys' triggers alone
-- 5.6–10.7 s; dataset_row's copy 4.4 s against 1.05 s. See README, Performance.
--
-- What replaces them keeps every guarantee of the keys they replace, checked set-wise:
--  * writing (insert, or an update that changes a key): one statement-level trigger per table reads the statement's
--    new rows (a transition table), locks the distinct parent rows they name FOR KEY SHARE, as a key's trigger
--    does row by row (a parent deleted concurrently is waited for, then refused), and refuses the whole statement
--    with SQLSTATE 23503 (foreign_key_violation) when one is missing. A publication of 300,000 figures locks about
--    30,000 territories once each instead of 300,000 times;
--  * deleting a parent: a statement-level trigger does what ON DELETE did (figures of a deleted territory or
--    indicator go; a deleted dataset version's figures keep their value, provenance set to null; a deleted version's
--    rows go), for all the deleted parents in one statement;
--  * changing a parent's key (never done: ids are identities, codes are the catalogue's) is refused while referenced,
--    as NO ACTION did.
-- In READ COMMITTED (every writer here) a parent deleted while a writer holds its lock is waited for, and its
-- trigger's delete then sees the writer's committed figures, as the keys' cascade did.
-- dataset_displaced keeps its foreign key: it holds only the figures of other datasets a version revises.

alter table observation
    drop constraint observation_indicator_code_fkey,
    drop constraint observation_territory_id_fkey,
    drop constraint observation_dataset_version_id_fkey;
alter table dataset_row drop constraint dataset_row_version_id_fkey;

-- Child side: every value of new_rows.<column> (TG_ARGV: column, parent table, parent column; nulls allowed) exists
-- in the parent, locked FOR KEY SHARE until the writer's transaction ends.
create function check_references() returns trigger
    language plpgsql
as $$
declare
    child_column text := tg_argv[0];
    parent_table text := tg_argv[1];
    parent_column text := tg_argv[2];
    needed bigint;
    found bigint;
    missing text;
begin
    execute format('select count(*) from (select distinct %I from new_rows where %I is not null) k', child_column, child_column)
        into needed;
    if needed = 0 then
        return null;
    end if;
    -- Locked in key order, so two writers naming the same parents never wait on each other in a cycle.
    execute format('select count(*) from (select 1 from %I p where p.%I in (select %I from new_rows) order by p.%I for key share of p) l',
                   parent_table, parent_column, child_column, parent_column)
        into found;
    if found < needed then
        execute format('select min(n.%I::text) from new_rows n where n.%I is not null and not exists (select 1 from %I p where p.%I = n.%I)',
                       child_column, child_column, parent_table, parent_column, child_column)
            into missing;
        raise exception 'insert or update on table "%" violates foreign key: %.% = % is not in %', tg_table_name, tg_table_name,
            child_column, missing, parent_table
            using errcode = 'foreign_key_violation', table = tg_table_name, column = child_column;
    end if;
    return null;
end
$$;

-- Parent side, ON DELETE: TG_ARGV: child table, child column, parent column, 'cascade' or 'set null'.
create function cascade_references() returns trigger
    language plpgsql
as $$
begin
    if tg_argv[3] = 'cascade' then
        execute format('delete from %I c where c.%I in (select %I from old_rows)', tg_argv[0], tg_argv[1], tg_argv[2]);
    else
        execute format('update %I c set %I = null where c.%I in (select %I from old_rows)', tg_argv[0], tg_argv[1], tg_argv[1], tg_argv[2]);
    end if;
    return null;
end
$$;

-- Parent side, a key changed (row trigger fired only when it did): refused while a child names the old key.
create function refuse_referenced_key_change() returns trigger
    language plpgsql
as $$
declare
    old_key text := to_jsonb(old) ->> tg_argv[2];
    referenced boolean;
begin
    execute format('select exists (select 1 from %I c where c.%I::text = $1)', tg_argv[0], tg_argv[1]) into referenced using old_key;
    if referenced then
        raise exception 'update on table "%" violates foreign key: %.% = % is still referenced from %', tg_table_name, tg_table_name,
            tg_argv[2], old_key, tg_argv[0]
            using errcode = 'foreign_key_violation', table = tg_table_name;
    end if;
    return null;
end
$$;

-- observation → indicator, territory, dataset_version. Transition tables cannot go with a column list, so the update
-- triggers are row triggers whose WHEN lets through only a changed key (computed_value, status, flag updates skip them).
create trigger observation_indicator_inserted after insert on observation referencing new table as new_rows
    for each statement execute function check_references('indicator_code', 'indicator', 'code');
create trigger observation_territory_inserted after insert on observation referencing new table as new_rows
    for each statement execute function check_references('territory_id', 'territory', 'id');
create trigger observation_version_inserted after insert on observation referencing new table as new_rows
    for each statement execute function check_references('dataset_version_id', 'dataset_version', 'id');

create function check_observation_keys() returns trigger
    language plpgsql
as $$
begin
    if not exists (select 1 from indicator where code = new.indicator_code for key share)
        or not exists (select 1 from territory where id = new.territory_id for key share)
        or (new.dataset_version_id is not null and not exists (select 1 from dataset_version where id = new.dataset_version_id for key share)) then
        raise exception 'update on table "observation" violates foreign key: (%, %, %) names an absent indicator, territory or dataset version',
            new.indicator_code, new.territory_id, new.dataset_version_id
            using errcode = 'foreign_key_violation', table = 'observation';
    end if;
    return null;
end
$$;
create trigger observation_keys_updated after update on observation for each row
    when (old.indicator_code is distinct from new.indicator_code or old.territory_id is distinct from new.territory_id
          or old.dataset_version_id is distinct from new.dataset_version_id and new.dataset_version_id is not null)
    execute function check_observation_keys();

create trigger indicator_deleted_observations after delete on indicator referencing old table as old_rows
    for each statement execute function cascade_references('observation', 'indicator_code', 'code', 'cascade');
create trigger territory_deleted_observations after delete on territory referencing old table as old_rows
    for each statement execute function cascade_references('observation', 'territory_id', 'id', 'cascade');
create trigger dataset_version_deleted_observations after delete on dataset_version referencing old table as old_rows
    for each statement execute function cascade_references('observation', 'dataset_version_id', 'id', 'set null');

create trigger indicator_code_changed after update of code on indicator for each row
    when (old.code is distinct from new.code) execute function refuse_referenced_key_change('observation', 'indicator_code', 'code');
create trigger territory_id_changed after update of id on territory for each row
    when (old.id is distinct from new.id) execute function refuse_referenced_key_change('observation', 'territory_id', 'id');

-- dataset_row → dataset_version (rows copied by a contribution into the version it has just created).
create trigger dataset_row_version_inserted after insert on dataset_row referencing new table as new_rows
    for each statement execute function check_references('version_id', 'dataset_version', 'id');
create function check_dataset_row_version() returns trigger
    language plpgsql
as $$
begin
    if not exists (select 1 from dataset_version where id = new.version_id for key share) then
        raise exception 'update on table "dataset_row" violates foreign key: dataset version % is absent', new.version_id
            using errcode = 'foreign_key_violation', table = 'dataset_row';
    end if;
    return null;
end
$$;
create trigger dataset_row_version_updated after update on dataset_row for each row
    when (old.version_id is distinct from new.version_id) execute function check_dataset_row_version();
create trigger dataset_version_deleted_rows after delete on dataset_version referencing old table as old_rows
    for each statement execute function cascade_references('dataset_row', 'version_id', 'id', 'cascade');
create trigger dataset_version_id_changed_rows after update of id on dataset_version for each row
    when (old.id is distinct from new.id) execute function refuse_referenced_key_change('dataset_row', 'version_id', 'id');
create trigger dataset_version_id_changed after update of id on dataset_version for each row
    when (old.id is distinct from new.id) execute function refuse_referenced_key_change('observation', 'dataset_version_id', 'id');
