"""What the area tests share: the moto stack and its fixtures, the page client."""
