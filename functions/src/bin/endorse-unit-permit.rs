functions::lambda_main!(endorse_unit_permit);
