//! Native steps/s of the trainer at the benchmark's calibration shape (2 layers, d_model 64, 4 heads,
//! context 64, batch 16): `cargo run --release --example trainer_speed`.

use losslab::train::{RunConfig, Trainer, TrainerConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut t = Trainer::new(&TrainerConfig::default())?;
    println!("vocab {} params {}", t.model.config.vocab, t.model.params.len());
    t.begin_run(RunConfig { steps: 1000, eval_every: 0, ..RunConfig::default() })?;
    t.step(3)?;
    let mut rates = Vec::new();
    for _ in 0..5 {
        let start = std::time::Instant::now();
        t.step(20)?;
        rates.push(20.0 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!("median {:.1} steps/s ({rates:.1?})", rates[2]);
    Ok(())
}
