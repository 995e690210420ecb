resource "aws_launch_template" "web" {
  name_prefix = "web-"
  image_id    = "ami-0123456789abcdef0"

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size = 20
      encrypted   = false
    }
  }
}
