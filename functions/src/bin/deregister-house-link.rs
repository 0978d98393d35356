functions::lambda_main!(deregister_house_link);
