-- Organisations (the partner bodies: CAF, CPAM, Département…) and who may read each indicator.
-- Shared by accounts (a member belongs to an organisation), datasets (a producer contributes for its organisation)
-- and every reader (one visibility rule, `indicator_visible`, below).
create table organisation (
    id integer generated always as identity primary key,
    name text not null,
    created_at timestamptz not null default now(),
    -- Names are compared without case, so "CAF 93" and "caf 93" are one body.
    constraint organisation_name_not_blank check (btrim(name) <> '')
);
create unique index organisation_name_idx on organisation (lower(name));

-- public: everyone; members: every signed-in member; organisations: the members of the organisations listed in
-- indicator_organisation (and the admins).
alter table indicator add column visibility text not null default 'public'
    check (visibility in ('public', 'members', 'organisations'));

create table indicator_organisation (
    indicator_code text not null references indicator (code) on delete cascade,
    organisation_id integer not null references organisation (id) on delete cascade,
    primary key (indicator_code, organisation_id)
);
create index indicator_organisation_org_idx on indicator_organisation (organisation_id);

-- The one visibility rule every reader goes through. p_is_member: a signed-in account; p_is_admin: observatory
-- staff (sees everything); p_organisations: the caller's organisations.
create function indicator_visible(p_visibility text, p_indicator text, p_is_member boolean, p_is_admin boolean,
                                  p_organisations integer[])
    returns boolean
    language sql stable
as $$
    select case p_visibility
        when 'public' then true
        when 'members' then p_is_member or p_is_admin
        else p_is_admin or (p_is_member and exists (
            select 1 from indicator_organisation io
            where io.indicator_code = p_indicator and io.organisation_id = any (p_organisations)))
    end
$$;
