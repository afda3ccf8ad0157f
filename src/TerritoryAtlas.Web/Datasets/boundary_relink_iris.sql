-- The IRIS of the communes @communes (int[]) take their commune's parents again (method 'code', as
-- Import/iris_territories.sql gives them), once boundary_relink.sql's territories are linked again.
-- Parameters: @communes.
delete from territory_parent ip
using territory_parent ic
where ic.territory_id = ip.territory_id and ic.parent_level = 'commune' and ic.method = 'code' and ic.parent_id = any(@communes)
  and ip.method = 'code' and ip.parent_level <> 'commune';

insert into territory_parent (territory_id, parent_level, parent_id, method)
select ic.territory_id, cp.parent_level, cp.parent_id, 'code'
from territory_parent ic
join territory_parent cp on cp.territory_id = ic.parent_id
where ic.parent_level = 'commune' and ic.method = 'code' and ic.parent_id = any(@communes)
on conflict do nothing;
