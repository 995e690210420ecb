resource "aws_launch_configuration" "workers" {
  name_prefix   = "workers-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.small"

  root_block_device {
    volume_size = 20
    encrypted   = false
  }
}
