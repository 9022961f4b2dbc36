//! Benchmarks: loading the policy pack, checking and rendering the production example, and
//! check time as topics and tables grow (10 → 10,000), to show it grows linearly.
//!
//! Run with `cargo bench`; figures are recorded in docs/performance.md.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn today() -> jiff::civil::Date {
    "2026-11-26".parse().unwrap()
}

fn production() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/production.toml"
    ))
    .unwrap()
}

/// production.toml with `n` topics and `n` Hudi tables in place of its five.
fn synthetic(n: usize) -> String {
    let base = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/minimal.toml"
    ))
    .unwrap();
    let base = base.replace("topics = [{ name = \"events\", partitions = 3 }]\n", "");
    let mut text = base;
    for i in 0..n {
        text.push_str(&format!(
            "\n[[kafka.topics]]\nname = \"topic_{i}\"\npartitions = 3\nreplication_factor = 2\n\n[[hudi.tables]]\nname = \"table_{i}\"\nsource_topic = \"topic_{i}\"\nrecord_key = \"id\"\nprecombine_field = \"ts\"\npartition_path = \"day\"\n"
        ));
    }
    text
}

fn benches(c: &mut Criterion) {
    c.bench_function("pack/load (parse the built-in policy files)", |b| {
        b.iter(|| black_box(pipegen::policy::load(&[]).unwrap()))
    });
    let text = production();
    c.bench_function("load/parse production.toml", |b| {
        b.iter(|| black_box(pipegen::load::parse(&text).unwrap()))
    });
    c.bench_function(
        "check/production (cold: pack loaded and compiled each time)",
        |b| {
            b.iter(|| {
                let ctx = pipegen::Context::builtin(today()).unwrap();
                black_box(pipegen::check_source(
                    "production.toml".into(),
                    text.clone(),
                    &ctx,
                ))
            })
        },
    );
    let warm = pipegen::Context::builtin(today()).unwrap();
    c.bench_function("check/production (warm: rules compiled)", |b| {
        b.iter(|| {
            black_box(pipegen::check_source(
                "production.toml".into(),
                text.clone(),
                &warm,
            ))
        })
    });
    let checked = pipegen::check_source("production.toml".into(), text.clone(), &warm);
    let pipeline = checked.model.unwrap();
    c.bench_function("render/production (in memory)", |b| {
        b.iter(|| {
            black_box(
                pipegen::render::render(&pipeline, "production.toml", text.as_bytes(), None)
                    .unwrap(),
            )
        })
    });
    let mut group = c.benchmark_group("check/topics-and-tables");
    group.sample_size(10);
    for n in [10usize, 100, 1_000, 10_000] {
        let text = synthetic(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                black_box(pipegen::check_source(
                    "synthetic.toml".into(),
                    text.clone(),
                    &warm,
                ))
            })
        });
    }
    group.finish();
    // A repository of 1,000 production-sized pipelines, found and checked as `check DIR` does.
    let repo = tempfile::tempdir().unwrap();
    for i in 0..1_000 {
        let name = format!("team-{}/pipeline-{i}.pipeline.toml", i % 20);
        let path = repo.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    group.bench_function("1,000 files (discover and check on all cores)", |b| {
        b.iter(|| {
            let files = pipegen::scan::discover(&[repo.path().to_path_buf()]);
            assert_eq!(files.len(), 1_000);
            black_box(pipegen::scan::check_all(&files, &warm, || {}))
        })
    });
    group.finish();
}

criterion_group!(pipegen_benches, benches);
criterion_main!(pipegen_benches);
