//! The `rdpsweep` command line. All scanning lives in the library; this binary parses
//! arguments, merges the config file, sets up logging and outputs, and maps failures to exit
//! codes: 0 done, 1 the scan could not run or write, 2 usage or configuration error,
//! 130 interrupted (every finished row is already written).

mod cli;

fn main() {
    std::process::exit(cli::main());
}
