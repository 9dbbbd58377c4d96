"""The agency console and the insured person's portal (经办 / 参保人门户): server-rendered
pages over the service layer, mounted by ``yibao serve`` at ``/ui`` next to the API."""
