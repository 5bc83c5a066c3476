<!DOCTYPE html>
<html><head>
<title>OpenEMR Login</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/public/themes/style_light.css?v=71">
</head><body class="login">
<form method="POST" id="login_form" autocomplete="off" action="../main/main_screen.php?auth=login&site=default" target="_top" name="login_form">
<input type="hidden" name="new_login_session_management" value="1">
<input type="text" class="form-control" id="authUser" name="authUser" placeholder="Username">
<input type="password" class="form-control" id="clearPass" name="clearPass" placeholder="Password">
<button type="submit" id="login-button" class="btn btn-login btn-lg">Login</button>
</form></body></html>
