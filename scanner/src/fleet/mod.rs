//! The simulated fleet: fake RDP servers on loopback that play every behaviour the scanner
//! must recognise. STUB: owned by the fleet helper.
