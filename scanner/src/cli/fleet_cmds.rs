//! `rdpsweep simulate` and `rdpsweep demo`: the simulated fleet as a product feature.

use super::args::{DemoArgs, SimulateArgs};
use super::{Failure, EXIT_OK};

pub async fn simulate(args: SimulateArgs) -> Result<i32, Failure> {
    let _ = args;
    Err(Failure::Runtime("simulate: not wired yet".into()))
}

pub async fn demo(args: DemoArgs, quiet: bool) -> Result<i32, Failure> {
    let _ = (args, quiet);
    Ok(EXIT_OK)
}
