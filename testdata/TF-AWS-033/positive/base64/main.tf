resource "aws_launch_template" "app" {
  name_prefix = "app-"
  user_data   = base64encode("#!/bin/sh\nAPI_TOKEN='s3cr3t-v4lu3'\n")
}
