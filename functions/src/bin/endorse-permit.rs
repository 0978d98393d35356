functions::lambda_main!(endorse_permit);
