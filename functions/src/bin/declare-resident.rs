functions::lambda_main!(declare_resident);
