//! The sweep. STUB: owned by the lead.
