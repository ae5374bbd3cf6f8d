-- The stock part of the KPI read model (kpi.stock.ts): every movement written marks its
-- (variant, warehouse), bin and instant for the next refresh; a change to a supplier product or a
-- supplier's currency marks the stock values for revaluation (the figures value stock at today's
-- preferred supplier cost).
CREATE FUNCTION kpi_mark_movement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN INSERT INTO kpi_dirty_stock (variant_id, warehouse_id, bin_id, created_at) VALUES (OLD.variant_id, OLD.warehouse_id, OLD.bin_id, OLD.created_at); END IF;
  IF TG_OP <> 'DELETE' THEN INSERT INTO kpi_dirty_stock (variant_id, warehouse_id, bin_id, created_at) VALUES (NEW.variant_id, NEW.warehouse_id, NEW.bin_id, NEW.created_at); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER kpi_inventory_movements AFTER INSERT OR DELETE OR UPDATE OF variant_id, warehouse_id, bin_id, quantity_delta, reason, created_at ON inventory_movements FOR EACH ROW EXECUTE FUNCTION kpi_mark_movement();
--> statement-breakpoint
CREATE FUNCTION kpi_mark_costs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO kpi_dirty_costs DEFAULT VALUES;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER kpi_supplier_products AFTER INSERT OR DELETE OR UPDATE OF supplier_id, variant_id, unit_cost_minor, preferred ON supplier_products FOR EACH STATEMENT EXECUTE FUNCTION kpi_mark_costs();
--> statement-breakpoint
CREATE TRIGGER kpi_suppliers AFTER UPDATE OF currency ON suppliers FOR EACH STATEMENT EXECUTE FUNCTION kpi_mark_costs();
--> statement-breakpoint
-- An already built read model is rebuilt by its next refresh (the start-up pass), stock included.
UPDATE kpi_state SET time_zone = '';
