resource "google_compute_instance_template" "web" {
  name_prefix  = "web-"
  machine_type = "e2-small"

  metadata = {
    block-project-ssh-keys = "false"
  }
}
