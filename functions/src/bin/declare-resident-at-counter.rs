functions::lambda_main!(declare_resident_at_counter);
