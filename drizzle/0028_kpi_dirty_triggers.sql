-- The KPI read model's change log: every write to a table its figures read marks the order in
-- kpi_dirty_orders, in the writer's transaction; the next kpis read refreshes those orders' facts.
CREATE FUNCTION kpi_mark_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN INSERT INTO kpi_dirty_orders (order_id) VALUES (OLD.order_id); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.order_id IS DISTINCT FROM OLD.order_id) THEN INSERT INTO kpi_dirty_orders (order_id) VALUES (NEW.order_id); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION kpi_mark_order_of_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN INSERT INTO kpi_dirty_orders (order_id) VALUES (OLD.id); END IF;
  IF TG_OP = 'INSERT' THEN INSERT INTO kpi_dirty_orders (order_id) VALUES (NEW.id); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION kpi_mark_order_of_return_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO kpi_dirty_orders (order_id) SELECT rr.order_id FROM return_requests rr WHERE rr.id = COALESCE(NEW.return_request_id, OLD.return_request_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER kpi_orders AFTER INSERT OR DELETE OR UPDATE OF status, channel, currency, total_minor, created_at, delivered_at ON orders FOR EACH ROW EXECUTE FUNCTION kpi_mark_order_of_order();
--> statement-breakpoint
CREATE TRIGGER kpi_order_lines AFTER INSERT OR DELETE OR UPDATE OF order_id, quantity, shipped_quantity, allocated_at_creation ON order_lines FOR EACH ROW EXECUTE FUNCTION kpi_mark_order();
--> statement-breakpoint
CREATE TRIGGER kpi_fulfillment_orders AFTER INSERT OR DELETE OR UPDATE OF order_id, warehouse_id ON fulfillment_orders FOR EACH ROW EXECUTE FUNCTION kpi_mark_order();
--> statement-breakpoint
CREATE TRIGGER kpi_shipments AFTER INSERT OR DELETE OR UPDATE OF order_id, fulfillment_order_id, carrier_id, direction, cost_minor, currency, created_at, delivered_at, estimated_delivery_to ON shipments FOR EACH ROW EXECUTE FUNCTION kpi_mark_order();
--> statement-breakpoint
CREATE TRIGGER kpi_order_events AFTER INSERT OR DELETE OR UPDATE OF order_id, status ON order_events FOR EACH ROW EXECUTE FUNCTION kpi_mark_order();
--> statement-breakpoint
CREATE TRIGGER kpi_return_requests AFTER INSERT OR DELETE OR UPDATE OF order_id ON return_requests FOR EACH ROW EXECUTE FUNCTION kpi_mark_order();
--> statement-breakpoint
CREATE TRIGGER kpi_return_lines AFTER INSERT OR DELETE OR UPDATE OF return_request_id, received_quantity ON return_lines FOR EACH ROW EXECUTE FUNCTION kpi_mark_order_of_return_line();
