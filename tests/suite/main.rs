//! The integration tests, one binary: each module is what a user or a client checks of one
//! capability, against the real app started on port 0 (`common::spawn_app`) or the real binary.
//! One binary, not one per file, so the suite links once (and a clean build fits a small disk).

mod common;
mod tiles_support;

mod distances;
mod distances_hostile;
mod drive_time;
mod exports;
mod extra_layers;
mod features_cql2;
mod features_crs;
mod features_ogc;
mod features_plots;
mod fuzz_inputs;
mod fuzz_requests;
mod geodata_errors;
mod health_and_check;
mod http_edge;
mod index;
mod layers;
mod links_behind_proxy;
mod measure;
mod measure_hostile;
mod ogc_tiles;
mod register;
mod register_crash;
mod register_postgres;
mod reliability;
mod reprojection;
mod scale;
mod shapefile_zip;
mod sheet;
mod synth;
mod tile_archive;
mod tiles;
mod tiles_http;
mod tiles_low_zoom;
mod viewer_http;
