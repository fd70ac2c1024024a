//! The probe engine. STUB: owned by the lead.
