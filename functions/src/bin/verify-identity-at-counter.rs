functions::lambda_main!(verify_identity_at_counter);
