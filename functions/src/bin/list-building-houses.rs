functions::lambda_main!(list_building_houses);
