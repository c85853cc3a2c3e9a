-- The embedded order system's tables. Dates are ISO strings; money is in cents.
CREATE TABLE IF NOT EXISTS customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    postcode TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    number TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    placed_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processing', 'shipped', 'delivered', 'cancelled'))
);
CREATE TABLE IF NOT EXISTS items (
    order_number TEXT NOT NULL REFERENCES orders(number),
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    final_sale INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_number, sku)
);
CREATE TABLE IF NOT EXISTS shipments (
    order_number TEXT PRIMARY KEY REFERENCES orders(number),
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    shipped_on TEXT NOT NULL,
    estimated_delivery TEXT,
    delivered_on TEXT
);
CREATE TABLE IF NOT EXISTS scan_events (
    order_number TEXT NOT NULL REFERENCES shipments(order_number),
    at TEXT NOT NULL,
    location TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS returns (
    rma TEXT PRIMARY KEY,
    order_number TEXT NOT NULL REFERENCES orders(number),
    reason TEXT NOT NULL,
    skus TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cancellations (
    order_number TEXT PRIMARY KEY REFERENCES orders(number),
    cancelled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shop_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    return_window_days INTEGER NOT NULL,
    free_return_shipping INTEGER NOT NULL,
    refund_days INTEGER NOT NULL,
    standard_min_days INTEGER NOT NULL,
    standard_max_days INTEGER NOT NULL,
    standard_shipping_cents INTEGER NOT NULL,
    free_shipping_over_cents INTEGER NOT NULL,
    express_shipping_days INTEGER NOT NULL,
    express_shipping_cents INTEGER NOT NULL,
    ships_to TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refunds (
    rma TEXT PRIMARY KEY REFERENCES returns(rma),
    received_on TEXT NOT NULL,
    refunded_on TEXT,
    amount_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS exchanges (
    number TEXT PRIMARY KEY,
    order_number TEXT NOT NULL REFERENCES orders(number),
    skus TEXT NOT NULL,
    wanted TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery_addresses (
    order_number TEXT PRIMARY KEY REFERENCES orders(number),
    street TEXT NOT NULL,
    postcode TEXT NOT NULL,
    changed_at TEXT
);
CREATE TABLE IF NOT EXISTS products (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    in_stock INTEGER NOT NULL,
    restock_on TEXT,
    price_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS product_options (
    product_sku TEXT NOT NULL REFERENCES products(sku),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    in_stock INTEGER NOT NULL,
    restock_on TEXT,
    PRIMARY KEY (product_sku, label)
);
