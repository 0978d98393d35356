functions::lambda_main!(deregister_registration);
