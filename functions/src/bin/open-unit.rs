functions::lambda_main!(open_unit);
