-- Run after the sums (computed_observations.sql) and before the rates (computed_rates.sql). No parameters.
-- Secondary secrecy (INSEE's practice): where a published total and all but one of its parts are known, the
-- suppressed part is the difference; so the next smallest part is suppressed too (and a total whose only part is
-- suppressed is suppressed itself). Repeated until nothing changes, since a département suppressed for its
-- région's sake is also a part of its zone and of France. Totals and parts: communes and their IRIS, régions,
-- zones and France and their départements. Rates read these statuses below, so they follow.
-- Every indicator, or only those `atlas.indicators` lists (see computed_observations.sql): secrecy is per indicator.
-- Each pass starts from the producers' statuses: its earlier marks (observation.secondary_secret) are lifted first and
-- those still needed put back, so a roll back or a revision that removes the reason for a mark removes the mark.
-- derived_scope: the indicators this pass recomputes (derived_scope.sql, which DerivedFigures.StepSql puts first).
drop table if exists secrecy_link;
create temporary table secrecy_link on commit drop as
select tp.parent_id, tp.territory_id as part_id
from territory_parent tp
join territory c on c.id = tp.territory_id
where (c.level = 'iris' and tp.parent_level = 'commune')
   or (c.level = 'departement' and tp.parent_level in ('region', 'zone', 'france'));
create index on secrecy_link (parent_id);
-- Temporary tables are never analysed by autovacuum: without statistics the planner can pick a join of every figure
-- with every figure of the same indicator and year (an import in CI spilled 34 GB of temporary files here).
analyze secrecy_link;

-- A marked figure was published ('ok') when marked, and the mark appended ' secret_secondaire' to its flag
-- (concat_ws: the flag alone when there was none): both come back exactly. Computed sums were rewritten just before.
update observation o
set status = 'ok', secondary_secret = false,
    flag = case when o.flag = 'secret_secondaire' then null else left(o.flag, -length(' secret_secondaire')) end
from derived_scope s
where o.secondary_secret and o.indicator_code = s.code;

do $$
declare
    changed integer;
begin
    loop
        create temporary table secrecy_group on commit drop as
        select t.indicator_code, t.year, t.territory_id as parent_id,
               count(*) filter (where o.status = 'ok') as open_parts
        from observation t
        join indicator i on i.code = t.indicator_code and i.additive
        join derived_scope s on s.code = t.indicator_code
        join secrecy_link l on l.parent_id = t.territory_id
        join observation o on o.territory_id = l.part_id and o.indicator_code = t.indicator_code and o.year = t.year
        where t.status = 'ok'
        group by t.indicator_code, t.year, t.territory_id
        having count(*) filter (where o.status = 'suppressed') = 1;

        with victims as (
            select distinct on (g.indicator_code, g.year, g.parent_id) o.indicator_code, o.territory_id, o.year
            from secrecy_group g
            join secrecy_link l on l.parent_id = g.parent_id
            join observation o on o.territory_id = l.part_id and o.indicator_code = g.indicator_code and o.year = g.year
                and o.status = 'ok'
            order by g.indicator_code, g.year, g.parent_id, o.value, o.territory_id
        )
        update observation o set status = 'suppressed', secondary_secret = true, flag = concat_ws(' ', o.flag, 'secret_secondaire')
        from victims v
        where o.indicator_code = v.indicator_code and o.territory_id = v.territory_id and o.year = v.year;
        get diagnostics changed = row_count;

        update observation o set status = 'suppressed', secondary_secret = true, flag = concat_ws(' ', o.flag, 'secret_secondaire')
        from secrecy_group g
        where g.open_parts = 0 and o.indicator_code = g.indicator_code and o.territory_id = g.parent_id and o.year = g.year;

        drop table secrecy_group;
        exit when changed = 0;
    end loop;
end $$;
