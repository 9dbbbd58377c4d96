"""The service layer (经办服务): enrollment, contributions, real-time settlement and the
ledger, each use case one transaction over the store, the pure core doing the work."""
