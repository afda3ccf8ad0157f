-- Rebuilds perimeter_change (the changes in force, which every reader reads) from perimeter_change_source. No
-- parameters; run in the caller's transaction after the import writes its own changes and after a correspondence
-- version is published or rolled back. For each commune, the newest published uploaded correspondence that describes
-- it wins (INSEE's own table, dated to the year, over the data directory's undated 2018→2024 derivation and the
-- manifest's declared changes); a commune no published upload describes keeps the import's change.
delete from perimeter_change;

insert into perimeter_change (level, code, from_year, kind, parts, reason_fr, reason_en, source, known_by, dataset_version_id)
select level, code, from_year, kind, parts, reason_fr, reason_en, source, known_by, dataset_version_id
from (
    select s.*, rank() over (partition by s.level, s.code
                             order by v.published_at desc nulls last, s.dataset_version_id desc nulls last) as precedence
    from perimeter_change_source s
    left join dataset_version v on v.id = s.dataset_version_id
    where s.dataset_version_id is null or v.status = 'published'
) ranked
where precedence = 1;
