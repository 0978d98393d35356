functions::worker_main!(send_sms);
