<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head>
<meta http-equiv="X-UA-Compatible" content="IE=10">
<link rel="shortcut icon" href="/owa/auth/15.1.2507/themes/resources/favicon.ico" type="image/x-icon">
<link type="text/css" rel="stylesheet" href="/owa/auth/15.1.2507/themes/resources/logon.css">
<title>Outlook</title>
<script type="text/javascript" src="/owa/auth/15.1.2507/scripts/premium/flogon.js"></script>
</head><body class="signInBg">
<form action="/owa/auth.owa" method="POST" name="logonForm" ENCTYPE="application/x-www-form-urlencoded" autocomplete="off">
<input type="hidden" name="destination" value="https://mail.riverside.test/owa">
<input type="hidden" name="flags" value="4">
<label for="username">Domain\user name:</label><input id="username" name="username" type="text">
<label for="password">Password:</label><input id="password" name="password" type="password">
<div onclick="clkLgn()" class="signinbutton" role="button">sign in</div>
</form></body></html>
