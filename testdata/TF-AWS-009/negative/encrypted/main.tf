resource "aws_db_instance" "app" {
  identifier        = "app"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  allocated_storage = 20
  storage_encrypted = true
  kms_key_id        = aws_kms_key.db.arn
}
