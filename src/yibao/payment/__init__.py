"""Provider payment (医保支付方式): DRG grouping and, later, DIP and payment standards."""
