functions::lambda_main!(verify_identity);
